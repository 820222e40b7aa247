set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s0.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_micro (1x8)'
$d0 << EOD
102714 21707.0729
827088 18640.7421
17867008 9107.89727
51475968 6078.66779
124439808 3377.11564
354823168 1493.38724
774030080 820.935459
1557611200 485.955504
EOD
$d1 << EOD
102714 1379.30566
827088 1340.41916
17867008 590.662112
51475968 478.195395
124439808 359.759623
354823168 149.425203
774030080 100.999602
1557611200 84.2671146
EOD
$d2 << EOD
102714 375.163723
827088 622.057718
17867008 271.069428
51475968 235.792585
124439808 161.698076
354823168 77.6514586
774030080 57.4653953
1557611200 41.8901715
EOD
plot $d0 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0'
