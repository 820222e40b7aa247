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
102714 2342.46569
827088 564.787729
17867008 344.302148
51475968 63.9301202
124439808 78.1884159
354823168 4.75557657
774030080 11.6891401
1557611200 3.69270575
EOD
$d1 << EOD
102714 7596.78317
827088 5440.51093
17867008 256.192988
51475968 161.865935
124439808 68.4541627
354823168 23.2963886
774030080 11.344842
1557611200 3.95156506
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu'
