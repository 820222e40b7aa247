set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 11950.0516
827088 11237.6643
17867008 1564.83528
51475968 484.321097
124439808 266.801972
354823168 109.715371
774030080 33.9143784
1557611200 18.770123
EOD
$d1 << EOD
102714 11924.1368
827088 11711.9996
17867008 1004.38864
51475968 553.145228
124439808 201.29336
354823168 83.4902077
774030080 34.2593733
1557611200 8.63325739
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu'
