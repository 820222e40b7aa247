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
102714 10931.767
827088 11611.5905
17867008 684.070105
51475968 205.445571
124439808 95.6379566
354823168 38.7973526
774030080 11.4932795
1557611200 8.71841985
EOD
$d1 << EOD
102714 7892.02355
827088 7657.77318
17867008 314.692599
51475968 226.957415
124439808 67.9247137
354823168 29.0468354
774030080 10.5078628
1557611200 4.50941286
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu'
