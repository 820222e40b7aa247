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
102714 1536.29148
827088 1534.07989
17867008 805.87714
51475968 199.136779
124439808 181.169144
354823168 22.5109533
774030080 35.2522268
1557611200 9.08505937
EOD
$d1 << EOD
102714 12155.3314
827088 8269.46215
17867008 617.891917
51475968 417.716008
124439808 201.7278
354823168 67.5408937
774030080 35.7990872
1557611200 5.60441249
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu'
