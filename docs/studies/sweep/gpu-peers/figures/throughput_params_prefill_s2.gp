set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 1537645.85
827088 1667014.25
17867008 780529.589
51475968 506651.577
124439808 294469.993
354823168 121035.308
774030080 68130.099
1557611200 42473.8087
EOD
$d1 << EOD
102714 222802.442
827088 206444.795
17867008 121538.892
51475968 75291.4837
124439808 55592.1889
354823168 25531.7335
774030080 17787.9018
1557611200 23116.8202
EOD
$d2 << EOD
102714 99663.5894
827088 132041.14
17867008 70785.4077
51475968 48093.2513
124439808 38201.8191
354823168 18875.0626
774030080 13747.8806
1557611200 8420.05724
EOD
plot $d0 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0'
