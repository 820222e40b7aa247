set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_long (1x128)'
$d0 << EOD
102714 8291.20873
827088 10222.9392
17867008 544.9035
51475968 134.097439
124439808 94.6404877
354823168 37.534587
774030080 15.7665974
1557611200 8.58901361
EOD
$d1 << EOD
102714 7983.74167
827088 7153.04456
17867008 307.465141
51475968 181.979883
124439808 66.1423093
354823168 25.6503908
774030080 7.04427533
1557611200 2.9283016
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu'
